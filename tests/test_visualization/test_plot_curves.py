# Copyright (c) mmrazor_dfad contributors. All rights reserved.
import json
import os
import os.path as osp

from mmrazor_dfad.visualization import plot_curves, read_scalars


def write_run(work_dir, stamp, rows):
    folder = osp.join(work_dir, stamp, 'vis_data')
    os.makedirs(folder)
    with open(osp.join(folder, 'scalars.json'), 'w') as file:
        file.writelines(json.dumps(row) + '\n' for row in rows)


def test_curves_survive_the_generator_freezing_and_a_resume(tmp_path):
    """Once the generator's learning rate is 0 its losses are not logged;
    a resumed run continues in a new timestamp folder."""
    work_dir = str(tmp_path)
    learning = [
        dict(iter=i, **{
            'distill.loss': 5.0 / i,
            'generator.loss': -5.0 / i
        }) for i in (1, 2, 3)
    ]
    frozen = [dict(iter=i, **{'distill.loss': 1.0 / i}) for i in (4, 5)]
    write_run(work_dir, '20260101_000000', learning + [{
        'accuracy/top1': 50.0,
        'step': 3
    }])
    write_run(work_dir, '20260101_010000', frozen + [{
        'accuracy/top1': 60.0,
        'step': 5
    }])
    rows = read_scalars(work_dir)
    assert [r['iter'] for r in rows if 'iter' in r] == [1, 2, 3, 4, 5]
    out = plot_curves(work_dir, str(tmp_path / 'curves.png'))
    with open(out, 'rb') as file:
        assert file.read(8) == b'\x89PNG\r\n\x1a\n'


def test_segmentation_curves_plot_the_miou_and_the_label_free_agreement(
        tmp_path, monkeypatch):
    import matplotlib.axes
    plotted = []
    original = matplotlib.axes.Axes.plot

    def plot(self, x, y, *args, **kwargs):
        plotted.append((kwargs.get('label'), list(y)))
        return original(self, x, y, *args, **kwargs)

    monkeypatch.setattr(matplotlib.axes.Axes, 'plot', plot)
    write_run(
        str(tmp_path), '20260101_000000', [
            dict(iter=1, **{
                'distill.loss': 1.0,
                'generator.loss': -1.0
            }), {
                'mIoU': 12.5,
                'label_free/agreement': 80.0,
                'step': 1
            }
        ])
    plot_curves(str(tmp_path), str(tmp_path / 'curves.png'))
    assert ('student mIoU (real test images)', [12.5]) in plotted
    assert ('label-free agreement (generated bank)', [80.0]) in plotted
