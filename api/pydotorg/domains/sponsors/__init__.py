"""The PSF sponsorship programme (inventory 1.16)."""
