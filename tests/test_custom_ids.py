"""custom_ids are built and read back in one module."""

from vcpbot import custom_ids


def test_the_opaque_part_is_read_back_from_an_id_built_here() -> None:
    built = custom_ids.build("intervisie", "yes", "Zx8_k-2")
    assert built == "vcp:intervisie:yes:Zx8_k-2"
    assert custom_ids.opaque(built) == "Zx8_k-2"


def test_ids_without_a_token_or_not_ours_have_no_opaque_part() -> None:
    assert custom_ids.opaque(custom_ids.build("intervisie", "plan")) is None
    assert custom_ids.opaque("other:intervisie:yes:Zx8") is None
    assert custom_ids.opaque("vcp:intervisie:yes:not a token") is None
    assert custom_ids.opaque("") is None
