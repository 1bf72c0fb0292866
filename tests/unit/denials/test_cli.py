"""`rcm denials` without a service: the credentials it needs and a clear exit code when the API
cannot be reached. Its work against the real API is proved in tests/integration/denials."""

from typer.testing import CliRunner

from cli.main import app

runner = CliRunner()


def test_without_credentials_it_exits_2_and_says_what_to_set() -> None:
    result = runner.invoke(app, ["denials", "list", "--url", "http://127.0.0.1:18999"],
                           env={"RCM_TOKEN": "", "RCM_USER": "", "RCM_PASSWORD": ""})

    assert result.exit_code == 2 and "RCM_TOKEN" in result.stderr


def test_a_service_that_is_not_running_exits_3() -> None:
    result = runner.invoke(app, ["denials", "list", "--url", "http://127.0.0.1:18999"], env={"RCM_TOKEN": "x.y.z"})

    assert result.exit_code == 3 and "cannot reach the denials API" in result.stderr
    assert isinstance(result.exception, SystemExit)


def test_take_and_resolve_take_no_actor_option() -> None:
    result = runner.invoke(app, ["denials", "take", "dnl_1", "--actor", "jdoe"], env={"RCM_TOKEN": "x.y.z"})

    assert result.exit_code == 2 and "--actor" in result.output  # the actor is the token's subject
