"""Insurance people can find: payers, plans and networks, public and paginated."""
