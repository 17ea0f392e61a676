# Runtime shared by every mmrazor_dfad config.
default_scope = 'mmrazor_dfad'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Old checkpoints are removed only once the new one is complete; each
    # is written to a temporary file, flushed and renamed, so a crash during
    # a save never leaves a truncated checkpoint or none at all.
    checkpoint=dict(
        type='SafeCheckpointHook',
        by_epoch=False,
        interval=1000,
        max_keep_ckpts=2,
        save_last=True,
        backend_args=dict(backend='atomic_local')),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # Logs how the teachers predict on generated (and, with a val set, real)
    # images before training, and warns when a teacher looks untrained.
    teacher_check=dict(type='TeacherCheckHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # timeout: seconds a rank waits for the others in a collective (CPU
    # default: 600, see mmrazor_dfad.utils.DEFAULT_CPU_TIMEOUT).
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

log_processor = dict(by_epoch=False, window_size=10)
log_level = 'INFO'
load_from = None
resume = False

# Noise differs per rank without diff_rank_seed: the generator offsets its
# own random generator by the rank.
randomness = dict(seed=0, deterministic=False)
