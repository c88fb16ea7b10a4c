"""Provider classes, one per way of handing a message over; see base.Provider for the contract."""
