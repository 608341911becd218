"""Cases: the case list, its table model, the case detail window and controller, holds."""
