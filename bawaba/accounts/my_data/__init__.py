"""My data: download all of it, delete the account, and see when staff viewed it and why."""
