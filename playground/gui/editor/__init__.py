"""The visual network editor: palette, layer stack, property form, summary, and the model they edit."""
