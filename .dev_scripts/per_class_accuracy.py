# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Per-class top-1 of a trained DFAD student and its teacher, and the
student's confusion matrix, on the config's test split.

    python .dev_scripts/per_class_accuracy.py CONFIG CHECKPOINT \
        --out results/RESULTS.json --name NAME [--description TEXT] \
        [--seed S]

Reads the checkpoint's ``state_dict`` (with an ``EMAHook`` these are the
averaged weights, the ones validated and exported) and stores the run
record of variant NAME in the JSON (``.dev_scripts/run_records``):
per class the student's (``metrics``) and the teacher's
(``teacher_metrics``) top-1, and the confusion matrix (rows: true class,
columns: student's prediction); the class names are ``extra['classes']``.
"""
import argparse
import os.path as osp
from datetime import date

import torch

from run_records import RunRecord, dump_results, load_or_create, provenance


def per_class(config: str, checkpoint: str) -> dict:
    """Evaluate the student and the first teacher class by class."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmrazor_dfad.utils import register_all_modules
    from mmrazor_dfad.utils.checkpoint import load_checkpoint_strictly
    register_all_modules()
    cfg = Config.fromfile(config)
    cfg.work_dir = osp.join('work_dirs', 'per_class_accuracy')
    cfg.custom_hooks = []
    runner = Runner.from_cfg(cfg)
    # Refuses a checkpoint that does not fit the config; the teachers'
    # weights come from their ckpt_path.
    load_checkpoint_strictly(runner.model, checkpoint)
    model = runner.model.eval()
    teacher = next(iter(model.teachers.values()))
    num_classes = len(runner.test_dataloader.dataset.metainfo['classes'])
    student_hits = torch.zeros(num_classes, num_classes, dtype=torch.long)
    teacher_hits = torch.zeros_like(student_hits)
    with torch.no_grad():
        for batch in runner.test_dataloader:
            batch = model.data_preprocessor(batch, False)
            labels = torch.tensor([
                int(sample.gt_label.label) for sample in batch['data_samples']
            ])
            for hits, network in ((student_hits, model.student), (teacher_hits,
                                                                  teacher)):
                predictions = network(batch['inputs'], mode='tensor').argmax(1)
                hits.index_put_((labels, predictions),
                                torch.ones_like(labels),
                                accumulate=True)

    def recall(hits):
        return (hits.diag() / hits.sum(1) * 100).tolist()

    return dict(
        classes=list(runner.test_dataloader.dataset.metainfo['classes']),
        student_top1_per_class=recall(student_hits),
        teacher_top1_per_class=recall(teacher_hits),
        student_top1=float(student_hits.diag().sum() / student_hits.sum() *
                           100),
        student_confusion=student_hits.tolist())


def main() -> None:
    """Evaluate and record one run."""
    parser = argparse.ArgumentParser(
        description="Evaluate a trained student's and its teacher's top-1 "
        "per class, and the student's confusion matrix, on the config's "
        'test split; records them as the run record of variant --name in '
        '--out (e.g. results/fashion_mnist_per_class.json).')
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--out', required=True)
    parser.add_argument('--name', required=True)
    parser.add_argument('--description', default='')
    parser.add_argument('--seed', type=int, default=None)
    parser.add_argument(
        '--dataset', help='the dataset title of a new results file')
    args = parser.parse_args()
    entry = per_class(args.config, args.checkpoint)
    run = RunRecord(
        variant=args.name,
        description=args.description,
        config=args.config,
        seed=args.seed,
        # The commit, threads and machine the checkpoint's training
        # started with (its work dir's run_provenance.json).
        **provenance(work_dir=osp.dirname(args.checkpoint)),
        date=date.today().isoformat(),
        # runner.test_dataloader: the test split, read once per checkpoint.
        split='test',
        metrics=dict(
            student_top1=entry['student_top1'],
            student_top1_per_class=entry['student_top1_per_class'],
            student_confusion=entry['student_confusion']),
        teacher_metrics=dict(
            teacher_top1_per_class=entry['teacher_top1_per_class']),
        extra=dict(classes=entry['classes'], checkpoint=args.checkpoint))
    results = load_or_create(
        args.out,
        dataset=args.dataset,
        description='Per-class top-1 of trained students and their teachers '
        'on the test split, written by .dev_scripts/per_class_accuracy.py.')
    results.add_runs(args.name, [run])
    dump_results(results, args.out)
    for name, student, teacher in zip(entry['classes'],
                                      entry['student_top1_per_class'],
                                      entry['teacher_top1_per_class']):
        print(f'{name:>12}: student {student:6.2f}  teacher {teacher:6.2f}')
    print(f"student top-1 {entry['student_top1']:.2f}; wrote {args.out}")


if __name__ == '__main__':
    main()
