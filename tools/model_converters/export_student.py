# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Export the student of a DFAD checkpoint as a plain MMCls checkpoint.

    python tools/model_converters/export_student.py CONFIG DFAD_CKPT OUT.pth
    python tools/model_converters/export_student.py CONFIG WORK_DIR OUT.pth \
        --best

Writes ``OUT.pth`` (``{'state_dict': student weights, 'meta': ...}``) and
``OUT.py``, a config of the student alone (``model`` = the DFAD config's
``model.architecture``, with its test data), so the student runs without the
teacher, the generator or this package's algorithm::

    python tools/test.py OUT.py OUT.pth   # or MMCls's tools/test.py

``--best`` exports the checkpoint the training kept with
``CheckpointHook(save_best=...)`` (e.g. by a label-free score) and says which
score selected it; the exported meta records it too.
"""
import argparse
import hashlib
import os
import os.path as osp

import mmrazor_dfad  # noqa: F401
import torch
from mmengine.config import Config
from mmengine.runner import CheckpointLoader

from mmrazor_dfad.utils import checkpoint_safe_globals, find_best_checkpoint

PREFIX = 'architecture.'


def student_test_settings(cfg: Config) -> dict:
    """The DFAD config's real test data and student metrics, for the student
    alone: metrics of the teacher (``TeacherStudentMetric``), the
    label-free banks and the data-free loops need the DFAD model; a config
    with no real test data gives none."""
    loader = cfg.get('test_dataloader')
    if not loader or loader.get('dataset', {}).get(
            'type') == 'GeneratedBankDataset':
        return {}
    evaluator = cfg.get('test_evaluator')
    evaluators = evaluator if isinstance(evaluator, list) else [evaluator]
    evaluators = [
        e for e in evaluators if e and e.get('type') != 'TeacherStudentMetric'
    ]
    return dict(
        test_dataloader=loader,
        test_evaluator=evaluators[0] if len(evaluators) == 1 else evaluators,
        test_cfg=dict(type='TestLoop'))


def export_student(config: str, checkpoint: str, out: str) -> dict:
    """Export; returns ``{'checkpoint', 'config', 'sha256', 'num_tensors'}``."""
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
    if student_model.get('data_preprocessor') is None and cfg.model.get(
            'data_preprocessor') is not None:
        student_model.data_preprocessor = cfg.model.data_preprocessor
    student_cfg = Config(
        dict(
            default_scope=cfg.default_scope,
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the DFAD config')
    parser.add_argument(
        'checkpoint', help='the DFAD checkpoint (with --best: the work dir)')
    parser.add_argument('out', help='output .pth of the student')
    parser.add_argument(
        '--best',
        action='store_true',
        help='export the best_*.pth of the work dir given as checkpoint')
    args = parser.parse_args()
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


if __name__ == '__main__':
    main()
