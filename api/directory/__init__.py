"""The specialist directory: list, read and administer specialists, their locations and networks."""
