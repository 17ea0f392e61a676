# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Errors that say the fix: Ctrl-C during training (how to resume, nothing
partial), a mistyped model key (did you mean), mmcv-lite's warning (one line
on what the compat layer provides), the editable-link tool facing a link to
another checkout."""
import os
import os.path as osp
import runpy
import subprocess
import sys
import sysconfig
from unittest import mock

import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmrazor_dfad.compat import mmcv_ops
from mmrazor_dfad.engine.fileio.atomic_local_backend import AtomicLocalBackend
from mmrazor_dfad.registry import MODELS
from mmrazor_dfad.testing._internal.tool_runs import run_train
from mmrazor_dfad.utils.config_keys import (accepted_arguments,
                                            explain_unknown_key)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.integration
def test_ctrl_c_during_a_save_says_how_to_resume_and_leaves_nothing_partial(
        tiny_mnist, mnist_reference, assert_same_student, tmp_path,
        monkeypatch, capsys):
    work_dir = tmp_path / 'work'
    put = AtomicLocalBackend.put
    saves = []

    def interrupted_put(self, obj, filepath):
        # Ctrl-C in the second save (iteration 4), its bytes written to the
        # temporary file, before the rename.
        if str(filepath).endswith('.pth'):
            saves.append(filepath)
        if len(saves) != 2 or not str(filepath).endswith('iter_4.pth'):
            return put(self, obj, filepath)
        with mock.patch.object(os, 'replace', side_effect=KeyboardInterrupt):
            put(self, obj, filepath)

    monkeypatch.setattr(AtomicLocalBackend, 'put', interrupted_put)
    with pytest.raises(SystemExit) as stopped:
        run_train(tiny_mnist.args(work_dir), cwd=tiny_mnist.cwd)
    assert stopped.value.code == 130
    message = capsys.readouterr().err.strip().splitlines()[-1]
    assert message == (
        f'Interrupted; the newest complete checkpoint is '
        f"{work_dir / 'iter_2.pth'}. Resume with: python tools/train.py "
        f'{tiny_mnist.config} --work-dir {work_dir} --resume')
    # Nothing partial: no temporary file, no iter_4.pth.
    assert sorted(os.listdir(work_dir)) == sorted(
        name for name in os.listdir(work_dir) if not name.endswith('.tmp'))
    assert not (work_dir / 'iter_4.pth').exists()
    # The printed command resumes to the uninterrupted run's student.
    resumed = run_train(
        tiny_mnist.args(work_dir, '--resume'), cwd=tiny_mnist.cwd)
    assert resumed.iter == 6
    assert_same_student(mnist_reference / 'iter_6.pth',
                        work_dir / 'iter_6.pth')


def test_unknown_model_key_names_the_closest_and_the_valid_keys(
        toy_algorithm_cfg):
    cfg = Config(dict(model=dict(toy_algorithm_cfg, student_itr=3)))
    with DefaultScope.overwrite_default_scope('mmrazor_dfad'), \
            pytest.raises(TypeError) as error:
        MODELS.build(cfg.model)
    message = explain_unknown_key(error.value, cfg)
    assert message.startswith("model.student_itr: DataFreeDistillation "
                              "takes no 'student_itr'; did you mean "
                              "'student_iter'? Its keys: ")
    assert 'student_train_first' in message and 'architecture' in message
    assert 'self' not in message and 'kwargs' not in message

    # A nested component: the generator.
    cfg = Config(
        dict(
            model=dict(
                toy_algorithm_cfg,
                generator=dict(
                    toy_algorithm_cfg['generator'], hiden_channels=8))))
    with DefaultScope.overwrite_default_scope('mmrazor_dfad'), \
            pytest.raises(TypeError) as error:
        MODELS.build(cfg.model)
    assert explain_unknown_key(error.value, cfg).startswith(
        "model.generator.hiden_channels: DAFLGenerator takes no "
        "'hiden_channels'; did you mean 'hidden_channels'?")
    # Other TypeErrors are left as they are.
    assert explain_unknown_key(TypeError('unsupported operand'), cfg) is None


def test_accepted_arguments_follow_kwargs_to_the_bases():

    class Base:

        def __init__(self, init_cfg=None):
            pass

    class Child(Base):

        def __init__(self, width, *args, depth=2, **kwargs):
            super().__init__(**kwargs)

    assert accepted_arguments(Child) == ['width', 'depth', 'init_cfg']


@pytest.mark.integration
def test_train_command_with_a_mistyped_model_key_says_did_you_mean(
        tiny_mnist, tmp_path):
    with pytest.raises(TypeError, match="did you mean 'student_iter'"):
        run_train(
            tiny_mnist.args(
                tmp_path / 'work',
                options=tiny_mnist.options + ['model.student_itr=3']),
            cwd=tiny_mnist.cwd)


@pytest.mark.integration
@pytest.mark.skipif(
    mmcv_ops.mmcv_ops_importable(),
    reason='full mmcv installed: mmcv does not warn about mmcv-lite')
def test_mmcv_lite_warning_is_one_line_of_what_the_compat_layer_provides():
    ran = subprocess.run([
        sys.executable, '-W', 'default', '-c', 'import mmrazor_dfad\n'
        'import mmcls.models, mmseg.models\n'
        'from mmcv.cnn.bricks import transformer\n'
        'import warnings; warnings.warn("another warning")\n'
    ],
                         cwd=REPO_ROOT,
                         capture_output=True,
                         text=True,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    assert ran.stderr.count(mmcv_ops.MMCV_LITE_NOTE) == 1
    assert 'MultiScaleDeformableAttention``' not in ran.stderr
    assert 'another warning' in ran.stderr  # other warnings still show


@pytest.fixture
def editable_link(tmp_path, monkeypatch):
    """The link tool's ``main`` and ``SOURCE``, with site-packages in
    ``tmp_path/site-packages``."""
    site_packages = tmp_path / 'site-packages'
    site_packages.mkdir()
    paths = sysconfig.get_paths()
    monkeypatch.setattr(sysconfig, 'get_paths',
                        lambda: dict(paths, purelib=str(site_packages)))
    tool = runpy.run_path(
        osp.join(REPO_ROOT, 'tools', 'misc', 'mim_editable_link.py'),
        run_name='mim_editable_link')
    return tool['main'], tool['SOURCE'], site_packages / 'mmrazor_dfad'


def test_editable_link_to_another_checkout_is_named(editable_link, tmp_path,
                                                    capsys):
    main, source, link = editable_link
    other = tmp_path / 'other_checkout' / 'mmrazor_dfad'
    other.mkdir(parents=True)
    os.symlink(other, link)
    with pytest.raises(SystemExit) as error:
        main([])
    assert str(error.value).startswith(
        f'{link} links to another checkout, {other}, not to {source}')
    assert '--force' in str(error.value)
    assert osp.realpath(link) == str(other)
    main(['--force'])
    assert osp.realpath(link) == osp.realpath(source)
    assert f'linked {link} -> {source}' in capsys.readouterr().out


def test_editable_link_to_a_moved_checkout_is_replaced(editable_link, tmp_path,
                                                       capsys):
    main, source, link = editable_link
    os.symlink(tmp_path / 'moved_away' / 'mmrazor_dfad', link)
    main([])
    out = capsys.readouterr().out
    assert 'a folder that no longer exists (a moved or deleted checkout)' \
        in out
    assert osp.realpath(link) == osp.realpath(source)
    main([])
    assert 'already links to' in capsys.readouterr().out


def test_editable_link_facing_a_regular_install_says_so(editable_link):
    main, _, link = editable_link
    link.mkdir()
    with pytest.raises(SystemExit, match='is a regular folder, not a link'):
        main([])
