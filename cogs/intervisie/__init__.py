"""Intervisie: the coordinator plans sessions, VCPs answer by DM, reminders go out."""

from vcpbot.bot_types import Bot


async def setup(bot: Bot) -> None:
    from cogs.intervisie._cog import IntervisieCog
    from cogs.intervisie._leads import LeadsSelect
    from cogs.intervisie._poll_dm import PollButton
    from cogs.intervisie._rsvp import RsvpButton

    bot.add_dynamic_items(RsvpButton, LeadsSelect, PollButton)

    from cogs.intervisie._waitlist import OfferButton

    bot.add_dynamic_items(OfferButton)
    await bot.add_cog(IntervisieCog(bot))
