"""Alert rules over live metrics and events, raised, de-duplicated and resolved by the engine."""
