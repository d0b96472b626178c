"""selectors of the welfare app, one module per part: standards, programmes, vouchers, care."""
