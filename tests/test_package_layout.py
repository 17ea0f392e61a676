# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""The package's dependency direction: the engine uses the models, never
the other way round."""
import subprocess
import sys


def _modules_loaded_by(statement: str) -> set:
    code = (f'import sys; {statement}; '
            "print('\\n'.join(m for m in sys.modules "
            "if m.startswith('mmrazor_dfad')))")
    output = subprocess.run([sys.executable, '-c', code],
                            check=True,
                            capture_output=True,
                            text=True).stdout
    return set(output.split())


def test_models_import_nothing_from_the_engine():
    loaded = _modules_loaded_by('import mmrazor_dfad.models')
    assert 'mmrazor_dfad.models.algorithms.data_free_distillation' in loaded
    assert not {m for m in loaded if m.startswith('mmrazor_dfad.engine')}


def test_the_algorithm_adopts_mmrazor_optimizer_wrappers_via_the_registry(
):
    # A plain OptimWrapperDict (MMRazor's SeparateOptimWrapperConstructor)
    # reaches the alternating schedule without the models importing it.
    from mmengine.optim import OptimWrapper, OptimWrapperDict

    from mmrazor_dfad.engine.optimizers import AlternatingOptimWrapper
    from mmrazor_dfad.registry import OPTIM_WRAPPERS
    import torch
    student, generator = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    wrappers = OptimWrapperDict(
        architecture=OptimWrapper(torch.optim.SGD(student.parameters(), 0.1)),
        generator=OptimWrapper(torch.optim.SGD(generator.parameters(), 0.1)))
    schedule = OPTIM_WRAPPERS.get('AlternatingOptimWrapper'
                                  ).from_optim_wrappers(wrappers)
    assert isinstance(schedule, AlternatingOptimWrapper)
    assert schedule.student is wrappers['architecture']
