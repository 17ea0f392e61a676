# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Export the student of a DFAD checkpoint as a plain MMCls checkpoint
(``tools/model_converters/export_student.py``).

Writes ``OUT.pth`` (``{'state_dict': student weights, 'meta': ...}``) and
``OUT.py``, a config of the student alone (``model`` = the DFAD config's
``model.architecture``, with its test data), so the student runs without the
teacher, the generator or this package's algorithm::

    python tools/test.py OUT.py OUT.pth   # or MMCls's tools/test.py
"""
import argparse
import hashlib
import os
import os.path as osp
from typing import List, Optional

import torch
from mmengine.config import Config
from mmengine.runner import CheckpointLoader

from mmrazor_dfad.utils import checkpoint_safe_globals, find_best_checkpoint

PREFIX = 'architecture.'
# Metrics that read the teacher's predictions (the student alone has none).
TEACHER_METRICS = ('TeacherStudentMetric', 'SegTeacherStudentMetric')


def student_test_settings(cfg: Config) -> dict:
    """The DFAD config's real test data and student metrics, for the student
    alone: metrics of the teacher (``TeacherStudentMetric``), the
    label-free banks and the data-free loops need the DFAD model; a config
    with no real test data gives none."""
    loader = cfg.get('test_dataloader')
    if not loader or loader.get('dataset',
                                {}).get('type') == 'GeneratedBankDataset':
        return {}
    evaluator = cfg.get('test_evaluator')
    evaluators = evaluator if isinstance(evaluator, list) else [evaluator]
    evaluators = [
        e for e in evaluators if e and e.get('type') not in TEACHER_METRICS
    ]
    settings = dict(
        test_dataloader=loader,
        test_evaluator=evaluators[0] if len(evaluators) == 1 else evaluators,
        test_cfg=dict(type='TestLoop'))
    # MMSeg's inference API reads the top-level test pipeline.
    if cfg.get('test_pipeline') is not None:
        settings['test_pipeline'] = cfg.test_pipeline
    return settings


def export_student(config: str, checkpoint: str, out: str) -> dict:
    """Write the student of ``checkpoint`` to ``out`` and its config beside.

    Args:
        config (str): The DFAD config the checkpoint was trained with.
        checkpoint (str): A DataFreeDistillation checkpoint.
        out (str): Where to write the student's ``.pth``; its config goes
            to the same path with ``.py``.

    Returns:
        dict: ``checkpoint`` and ``config`` (the written paths), ``sha256``
        of the checkpoint and ``num_tensors`` in it.
    """
    with checkpoint_safe_globals():
        ckpt = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
    state_dict = ckpt.get('state_dict', ckpt)
    student = {
        key[len(PREFIX):]: value
        for key, value in state_dict.items() if key.startswith(PREFIX)
    }
    if not student:
        raise KeyError(f'{checkpoint} has no "{PREFIX}*" weights: is it a '
                       'DataFreeDistillation checkpoint?')
    meta = dict(
        exported_from=osp.abspath(checkpoint),
        dataset_meta=ckpt.get('meta', {}).get('dataset_meta'),
        iter=ckpt.get('meta', {}).get('iter'),
        best_checkpoint=ckpt.get('meta', {}).get('best_checkpoint'))
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    torch.save(dict(state_dict=student, meta=meta), out)

    cfg = Config.fromfile(config)
    student_model = cfg.model.architecture
    # The algorithm normalises the real images for its student; alone, the
    # student needs that normalisation in its own config.
    # (MMSeg configs give it at the top level, which the runner passes on.)
    preprocessor = cfg.model.get('data_preprocessor') or cfg.get(
        'data_preprocessor')
    if student_model.get('data_preprocessor') is None and preprocessor:
        student_model.data_preprocessor = preprocessor
    # A segmentor is exported as a plain MMSeg model (mmseg's own tools
    # build it in their scope).
    task = (cfg.model.get('task') or {}).get('type')
    default_scope = 'mmseg' if task == 'SegmentationTask' else \
        cfg.default_scope
    student_cfg = Config(
        dict(
            default_scope=default_scope,
            model=student_model,
            **student_test_settings(cfg)))
    config_out = osp.splitext(out)[0] + '.py'
    student_cfg.dump(config_out)
    with open(out, 'rb') as file:
        digest = hashlib.sha256(file.read()).hexdigest()
    return dict(
        checkpoint=out,
        config=config_out,
        sha256=digest,
        num_tensors=len(student))


def main(argv: Optional[List[str]] = None) -> dict:
    """Export as ``tools/model_converters/export_student.py ARGV`` does."""
    parser = argparse.ArgumentParser(
        description='Export the student of a DFAD checkpoint')
    parser.add_argument('config', help='the DFAD config')
    parser.add_argument(
        'checkpoint', help='the DFAD checkpoint (with --best: the work dir)')
    parser.add_argument('out', help='output .pth of the student')
    parser.add_argument(
        '--best',
        action='store_true',
        help='export the best_*.pth of the work dir given as checkpoint')
    args = parser.parse_args(argv)
    checkpoint = args.checkpoint
    if args.best:
        best = find_best_checkpoint(args.checkpoint)
        checkpoint = best['path']
        chosen = '; '.join(
            f"{s['metric']} = {s['score']:.4f} ({s['rule']})"
            for s in best['selected_by']) or 'a score not recorded'
        print(f'best checkpoint: {checkpoint}, selected by {chosen}')
    result = export_student(args.config, checkpoint, args.out)
    print(f"student: {result['checkpoint']} ({result['num_tensors']} tensors, "
          f"sha256 {result['sha256'][:16]}...), config: {result['config']}")
    return result
