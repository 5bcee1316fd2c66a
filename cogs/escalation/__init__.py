"""Anonymous escalation: /report, /my-case, /open-cases, /snippets, the panel button and the
case cards, and the team's yearly figures (/cases report)."""

from vcpbot.bot_types import Bot


async def setup(bot: Bot) -> None:
    from cogs.escalation._annual import CaseReportCog
    from cogs.escalation._cog import EscalationCog
    from cogs.escalation._handling import CardButton
    from cogs.escalation._report import PanelButton
    from cogs.escalation._snippets import SnippetsCog

    bot.add_dynamic_items(CardButton, PanelButton)
    await bot.add_cog(EscalationCog(bot))
    await bot.add_cog(SnippetsCog(bot))
    await bot.add_cog(CaseReportCog(bot))
