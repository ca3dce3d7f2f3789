"""Documents of a pick batch: pick list, marketplace labels, box labels, packing slips, handover act, ZPL, WMS
export. Each generator is a service taking a batch (or order) and returning the saved ``Document``."""
