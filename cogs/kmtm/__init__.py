"""KMTM reporting: VCPs log contacts as counters, the coordinator gets release-safe reports."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from cogs.kmtm._cog import KmtmCog
    from cogs.kmtm._logging import LogButton, UndoButton
    from cogs.kmtm._preview import PreviewButton

    bot.add_dynamic_items(LogButton, UndoButton, PreviewButton)
    await bot.add_cog(KmtmCog(bot))
