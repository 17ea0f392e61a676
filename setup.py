# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""Install mmrazor_dfad; ship configs, tools and model-index.yml under .mim.

``mim train mmrazor_dfad CONFIG`` looks for ``mmrazor_dfad/.mim/configs`` and
``mmrazor_dfad/.mim/tools``. For wheels and sdists they are copied in; for
every other build (editable installs through PEP 660 ``editable_wheel`` or
the legacy ``develop``) they are symlinks to the source tree, so edits to
configs show up immediately.
"""
import os
import os.path as osp
import shutil
import sys
from setuptools import find_packages, setup

HERE = osp.dirname(osp.abspath(__file__))
MIM_ITEMS = ('configs', 'tools', 'model-index.yml')


def read_version() -> str:
    namespace = {}
    with open(osp.join(HERE, 'mmrazor_dfad', 'version.py')) as file:
        exec(compile(file.read(), 'version.py', 'exec'), namespace)
    return namespace['__version__']


def read_requirements(name: str) -> list:
    requirements = []
    with open(osp.join(HERE, 'requirements', name)) as file:
        for line in file:
            line = line.split('#', 1)[0].strip()
            if line:
                requirements.append(line)
    return requirements


def add_mim_extension() -> None:
    """Put configs, tools and model-index.yml into mmrazor_dfad/.mim."""
    if any(cmd in sys.argv for cmd in ('sdist', 'bdist_wheel')):
        mode = 'copy'
    else:
        mode = 'symlink'
    mim_path = osp.join(HERE, 'mmrazor_dfad', '.mim')
    os.makedirs(mim_path, exist_ok=True)
    for item in MIM_ITEMS:
        src = osp.join(HERE, item)
        dst = osp.join(mim_path, item)
        if not osp.exists(src):
            continue
        if osp.islink(dst) or osp.isfile(dst):
            os.remove(dst)
        elif osp.isdir(dst):
            shutil.rmtree(dst)
        if mode == 'symlink':
            os.symlink(osp.relpath(src, mim_path), dst)
        elif osp.isdir(src):
            shutil.copytree(src, dst)
        else:
            shutil.copyfile(src, dst)


if __name__ == '__main__':
    add_mim_extension()
    setup(
        name='mmrazor_dfad',
        version=read_version(),
        description='Data-Free Adversarial Distillation (DFAD) for '
        'MMEngine / MMRazor',
        long_description=open(osp.join(HERE, 'README.md')).read(),
        long_description_content_type='text/markdown',
        keywords='knowledge distillation, data-free, model compression',
        packages=find_packages(exclude=('configs', 'tools', 'tests', 'docs')),
        include_package_data=True,
        package_data={'mmrazor_dfad': ['.mim/**/*', '.mim/*']},
        python_requires='>=3.8',
        license='Apache License 2.0',
        install_requires=read_requirements('runtime.txt'),
        extras_require={
            'tests': read_requirements('tests.txt'),
            'mim': read_requirements('mminstall.txt'),
            'mmcls': read_requirements('mmcls.txt'),
            'mmpretrain': read_requirements('mmpretrain.txt'),
            'mmseg': read_requirements('mmseg.txt'),
        },
        zip_safe=False)
