"""Framework adapters: the only place torch (and later keras/lightning) is imported."""
