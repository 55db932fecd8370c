"""Static files for production: hashed names and compressed copies (WhiteNoise), vendored source maps optional."""

from collections.abc import Callable
from re import Match
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, except that a vendored library's reference to a source map it does not ship (Leaflet's
    `//# sourceMappingURL=leaflet.js.map`) is left as it is instead of failing `collectstatic`: the maps are for
    the library's developers, and a browser that asks for one gets a 404 only when its developer tools are open."""

    def url_converter(
        self, name: str, hashed_files: Any, template: str | None = None
    ) -> Callable[[Match[str]], str]:
        convert = super().url_converter(name, hashed_files, template)

        def convert_unless_missing_map(match: Match[str]) -> str:
            url = match.groupdict().get("url", "")
            if url.endswith(".map") and not self.exists(self._map_path(name, url)):
                return match["matched"]
            return convert(match)

        return convert_unless_missing_map

    @staticmethod
    def _map_path(name: str, url: str) -> str:
        directory = name.rsplit("/", 1)[0] if "/" in name else ""
        return f"{directory}/{url}" if directory and not url.startswith("/") else url.lstrip("/")
