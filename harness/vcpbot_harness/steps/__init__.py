"""What a person does with the bot, as steps the end-to-end tests and ``vcpbot demo`` share.

One module per feature. A step acts through the emulator as one person and returns
what that person sees; it asserts nothing. The tests wrap the steps they use with
their assertions (tests/e2e/<feature>/steps.py); the demo narrates between them. So
both drive the product the same way, and a change to a flow is made in one place.
"""
