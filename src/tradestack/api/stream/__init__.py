"""The live stream: one bus subscription per channel fanned out to every WebSocket client."""
