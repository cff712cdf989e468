"""Delivery statuses from Meta mapped back to our sends; a status only ever moves forward."""
