# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""``SafeCheckpointHook`` removes an old checkpoint only after the file that
replaces it is saved (MMEngine's ``CheckpointHook`` removes first)."""
import logging
import os.path as osp
import uuid

import torch
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook
from mmengine.logging import MessageHub

from mmrazor_dfad.engine.hooks import SafeCheckpointHook


class _OrderRunner:
    """Just enough of a runner for CheckpointHook's best-checkpoint path."""

    def __init__(self, work_dir, events):
        self.work_dir = str(work_dir)
        self.events = events
        self.epoch, self.iter = 0, 0
        # A fresh hub per runner: reusing one would carry kept checkpoint
        # ids and best scores from one run into the next.
        self.message_hub = MessageHub.get_instance(f'order-{uuid.uuid4()}')
        self.logger = logging.getLogger('order-runner')

    def save_checkpoint(self, out_dir, filename, *args, **kwargs):
        path = osp.join(out_dir, filename)
        torch.save({'state_dict': {}}, path)
        self.events.append(('saved', filename))


def test_best_checkpoint_is_replaced_only_after_the_new_one_is_saved(
        tmp_path, monkeypatch):
    events = []
    original_remove = LocalBackend.remove

    def remove(self, filepath):
        events.append(('removed', osp.basename(filepath)))
        return original_remove(self, filepath)

    monkeypatch.setattr(LocalBackend, 'remove', remove)

    def run(hook_type, work_dir):
        events.clear()
        work_dir.mkdir()
        hook = hook_type(
            interval=1,
            by_epoch=False,
            save_best='acc',
            rule='greater',
            max_keep_ckpts=1)
        runner = _OrderRunner(work_dir, events)
        hook.before_train(runner)
        for step, acc in ((1, 0.5), (2, 0.7)):
            runner.iter = step
            hook._save_checkpoint(runner)
            hook._save_best_checkpoint(runner, {'acc': acc})
        return list(events)

    # Every removal comes after the save of the file that replaces it.
    assert run(SafeCheckpointHook,
               tmp_path / 'safe') == [('saved', 'iter_2.pth'),
                                      ('saved', 'best_acc_iter_1.pth'),
                                      ('saved', 'iter_1.pth'),
                                      ('removed', 'iter_2.pth'),
                                      ('saved', 'iter_3.pth'),
                                      ('removed', 'iter_1.pth'),
                                      ('saved', 'best_acc_iter_2.pth'),
                                      ('saved', 'iter_2.pth'),
                                      ('removed', 'best_acc_iter_1.pth'),
                                      ('removed', 'iter_3.pth')]
    # MMEngine's hook removes first: the window this hook closes.
    plain = run(CheckpointHook, tmp_path / 'plain')
    assert plain.index(('removed', 'best_acc_iter_1.pth')) < plain.index(
        ('saved', 'best_acc_iter_2.pth'))
