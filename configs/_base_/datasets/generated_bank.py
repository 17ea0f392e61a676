# A fixed bank of 1,024 generated images for label-free evaluation: the
# generator's images at latents seeded per index (GeneratedBankDataset),
# which training never draws. TeacherStudentMetric compares student and
# teacher on them (agreement, logit L1, class spread; no label needed).
# Configs use `label_free_bank` as the `label_free` source of
# DataFreeValLoop / DataFreeTestLoop, or as their only data.
label_free_bank = dict(
    dataloader=dict(
        batch_size=256,
        num_workers=0,
        sampler=dict(type='DefaultSampler', shuffle=False),
        dataset=dict(type='GeneratedBankDataset', num_images=1024, seed=0),
        collate_fn=dict(type='pseudo_collate')),
    evaluator=dict(type='TeacherStudentMetric', prefix='label_free'))

# Off the generator's distribution: each image the midpoint of two bank
# images, and images of latents scaled by 2. Logged as label_free_mix/* and
# label_free_z2/* by configs that add them to `label_free`.
label_free_mix = dict(
    dataloader=dict(
        label_free_bank['dataloader'],
        dataset=dict(label_free_bank['dataloader']['dataset'], mix=True)),
    evaluator=dict(label_free_bank['evaluator'], prefix='label_free_mix'))
label_free_z2 = dict(
    dataloader=dict(
        label_free_bank['dataloader'],
        dataset=dict(
            label_free_bank['dataloader']['dataset'], latent_scale=2.0)),
    evaluator=dict(label_free_bank['evaluator'], prefix='label_free_z2'))
