# Copyright (c) mmrazor_dfad contributors. All rights reserved.
"""bare: the same modules and math as a hand-written PyTorch loop, written
as a careful user would (the floor)."""
import torch
import torch.nn.functional as F

from .common import DEVICE, build_algorithm, make_optimizers, median_seconds


class Bare:
    """No-grad generation for the student steps, student weights frozen
    during the generator step; the same layout switch as ours."""

    def __init__(self, cfg):
        algorithm = build_algorithm(cfg)
        (self.teacher, ) = algorithm.teachers.values()
        self.student, self.generator = algorithm.student, algorithm.generator
        self.opt_s, self.opt_g = make_optimizers(cfg, self.student,
                                                 self.generator)
        self.batch = cfg.train_dataloader.batch_size
        self.student_iter = cfg.model.student_iter
        self.latent_dim = self.generator.latent_dim
        # build_algorithm converted the modules already.
        self.memory_format = torch.channels_last if cfg.model.get(
            'channels_last') else torch.contiguous_format

    def iteration(self):
        for _ in range(self.student_iter):
            z = torch.randn(self.batch, self.latent_dim, device=DEVICE)
            with torch.no_grad():
                fake = self.generator(z).contiguous(
                    memory_format=self.memory_format)
                t_logits = self.teacher(fake, mode='tensor')
            self.opt_s.zero_grad()
            F.l1_loss(self.student(fake, mode='tensor'), t_logits).backward()
            self.opt_s.step()
        z = torch.randn(self.batch, self.latent_dim, device=DEVICE)
        self.opt_g.zero_grad()
        self.student.requires_grad_(False)
        fake = self.generator(z).contiguous(memory_format=self.memory_format)
        loss = -F.l1_loss(
            self.student(fake, mode='tensor'), self.teacher(
                fake, mode='tensor'))
        loss.backward()
        self.student.requires_grad_(True)
        self.opt_g.step()

    def time(self, iters):
        return median_seconds(self.iteration, iters)
