"""The front ends over the core: flake8 plugin, lp-fix, lp-lsp, and what they share."""
