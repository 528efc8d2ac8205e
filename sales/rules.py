"""Role sets of the sales workflows, in one place."""

from opsdesk.platform.roles import Role

# Upload POS files and call the bulk receipts endpoint.
IMPORTERS = frozenset({Role.STORE_MANAGER, Role.HEAD_OFFICE, Role.ADMIN})
# Set, split and lock the chain's month target.
TARGET_SETTERS = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
# Adjust the stores' shares within a region's total.
TARGET_ADJUSTERS = frozenset({Role.REGIONAL_OPS, Role.HEAD_OFFICE, Role.ADMIN})
# Record a day's footfall (the door counter's reading).
FOOTFALL_RECORDERS = frozenset({Role.STORE_MANAGER, Role.HEAD_OFFICE, Role.ADMIN})
# Create promotions.
PROMOTERS = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
