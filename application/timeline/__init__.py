"""Reading customers' timelines, and the port through which every module writes to them."""
