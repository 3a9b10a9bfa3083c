"""The start-up baseline: a typer app of one command that prints a JSON object."""

import json

import typer

app = typer.Typer()


@app.command()
def main(route: str = "iv", weeks: int = 4) -> None:
    print(json.dumps({"route": route, "weeks": weeks}))


if __name__ == "__main__":
    app()
