"""CSV files in and out: importing customers and orders, exporting customers, and the
formula guard that both share."""
