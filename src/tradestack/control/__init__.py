"""Remote control: chat commands answered from the platform, with confirmed kill switches."""
