# The values of ./fashion_mnist.py under this file's former name, for the
# ZSKT Fashion-MNIST config until it lists ./fashion_mnist.py itself.
_base_ = ['./fashion_mnist.py']
fashion_mnist_generator_optim_wrapper = dict(
    generator=dict(optimizer=dict(lr=1e-4)))
