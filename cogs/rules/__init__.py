"""The rules library: /rules for members, /rules-admin for boards, the accept button."""

from vcpbot.bot_types import Bot


async def setup(bot: Bot) -> None:
    from cogs.rules._ack import AckButton
    from cogs.rules._admin import RulesAdminCog
    from cogs.rules._reader import RulesCog

    bot.add_dynamic_items(AckButton)
    await bot.add_cog(RulesCog(bot))
    await bot.add_cog(RulesAdminCog(bot))
