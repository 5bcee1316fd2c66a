"""KMTM reporting: VCPs log contacts as counters, the coordinator gets release-safe reports."""

from vcpbot.bot_types import Bot


async def setup(bot: Bot) -> None:
    from cogs.kmtm._cog import KmtmCog
    from cogs.kmtm._logging import LogButton, UndoButton
    from cogs.kmtm._preview import PreviewButton

    bot.add_dynamic_items(LogButton, UndoButton, PreviewButton)
    await bot.add_cog(KmtmCog(bot))
