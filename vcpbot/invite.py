"""The invite link, and the one place that says which Discord permissions the bot uses.

An association's board and the hub's admin add the bot with a link Discord
builds from these bits; the bot's role then holds exactly them. Each permission
below names the feature that needs it, so a reviewer can see why it is asked
for. Interaction replies need none of them (Discord lets every app answer the
person who used a command, with embeds and files), and DMs need no server
permission at all. Deleting or editing its own messages needs none either.

Change this list only together with the code that needs the change;
``tests/e2e/operations/test_invite_permissions.py`` runs the key flows in servers where
the bot has exactly these permissions.
"""

from __future__ import annotations

from enum import StrEnum
from urllib.parse import urlencode

import discord

AUTHORIZE_URL = "https://discord.com/oauth2/authorize"
# "bot" adds the bot user; "applications.commands" lets the server use its slash commands.
SCOPES = ("bot", "applications.commands")


class Place(StrEnum):
    """Which kind of server the link is for."""

    ALL = "all"  # one link for every server: the union of the two below
    HUB = "hub"
    ASSOCIATION = "association"


def hub_permissions() -> discord.Permissions:
    """What the bot does in the UM team's hub."""
    return discord.Permissions(
        # See the escalations channel and the network log it posts in.
        view_channel=True,
        # Case cards, pattern notices and overdue nudges (escalations channel);
        # join requests and intervisie reports (network log).
        send_messages=True,
        # Case cards and join requests are embeds.
        embed_links=True,
        # After a crash, the delivery worker reads the channel's recent messages to
        # find a card it may already have posted, instead of posting it twice.
        read_message_history=True,
        # Urgent case cards and overdue nudges ping the UM team role. Discord
        # delivers a bot's role ping only with this permission (or when the role
        # is set to "Allow anyone to @mention this role"); every message the bot
        # sends allows no mentions except that one role, never @everyone or @here.
        mention_everyone=True,
        # Intervisie sessions become scheduled events in the hub; the bot moves and
        # cancels only the events it created, which this permission allows.
        create_events=True,
    )


def association_permissions() -> discord.Permissions:
    """What the bot does in an association's server."""
    return discord.Permissions(
        # See the rules channel, the channels with the escalation and KMTM panels,
        # and the VCPs' channel for members' cases.
        view_channel=True,
        # The published rules, the escalation panel, the KMTM panel, and cards of
        # members' cases in the VCPs' channel.
        send_messages=True,
        # The rules, the KMTM panel and the case cards are embeds.
        embed_links=True,
        # As in the hub: a card retried after a crash is looked for before posting.
        read_message_history=True,
        # Urgent members' cases and overdue nudges ping the association's VCP role.
        mention_everyone=True,
        # /vcp add and /vcp remove give and take the VCP role; accepting the rules
        # can give a role the board chose.
        manage_roles=True,
        # The first message of the published rules is pinned in the rules channel.
        pin_messages=True,
    )


def bot_permissions(place: Place = Place.ALL) -> discord.Permissions:
    if place is Place.HUB:
        return hub_permissions()
    if place is Place.ASSOCIATION:
        return association_permissions()
    return hub_permissions() | association_permissions()


def invite_url(application_id: int, place: Place = Place.ALL) -> str:
    """The link that adds the bot to a server with exactly the permissions it uses."""
    query = urlencode(
        {
            "client_id": application_id,
            "scope": " ".join(SCOPES),
            "permissions": bot_permissions(place).value,
        }
    )
    return f"{AUTHORIZE_URL}?{query}"


def permission_names(place: Place = Place.ALL) -> list[str]:
    """Discord's names for the permissions, as the invite screen shows them."""
    return names_of(bot_permissions(place))


def names_of(permissions: discord.Permissions) -> list[str]:
    """The granted ones, as Discord's invite screen and server settings name them."""
    return [_LABELS.get(name, name) for name, granted in permissions if granted]


# The wording of Discord's invite screen, for `vcpbot invite-url`.
_LABELS = {
    "read_messages": "View Channels",  # discord.py's name for view_channel when iterating
    "send_messages": "Send Messages",
    "embed_links": "Embed Links",
    "read_message_history": "Read Message History",
    "mention_everyone": "Mention @everyone, @here, and All Roles",
    "manage_roles": "Manage Roles",
    "pin_messages": "Pin Messages",
    "create_events": "Create Events",
}
