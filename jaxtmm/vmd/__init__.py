"""Data: DarkCast's vector-meson-dominance tables of the dark photon's hadronic widths (see README.md here)."""
