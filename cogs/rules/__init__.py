"""The rules library: /rules for members, /rules-admin for boards, the accept button."""

from discord.ext import commands


async def setup(bot: commands.Bot) -> None:
    from cogs.rules._ack import AckButton
    from cogs.rules._admin import RulesAdminCog
    from cogs.rules._reader import RulesCog

    bot.add_dynamic_items(AckButton)
    await bot.add_cog(RulesCog(bot))
    await bot.add_cog(RulesAdminCog(bot))
