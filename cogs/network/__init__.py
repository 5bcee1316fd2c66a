"""The network: the hub, associations joining by approval, the VCP registry."""

from vcpbot.bot_types import Bot


async def setup(bot: Bot) -> None:
    from cogs.network._cog import NetworkCog
    from cogs.network._join import JoinDecisionButton

    bot.add_dynamic_items(JoinDecisionButton)
    await bot.add_cog(NetworkCog(bot))
