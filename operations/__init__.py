"""Operator commands: provisioning (python -m operations.provision) and retention rules."""
