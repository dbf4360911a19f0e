# A tiny stand-in for the few nixpkgs builders the demo needs, on the host's
# /bin/sh. Nodes and test scripts may also receive it as `pkgs`.
{
  lib,
  system,
  hostTools,
}:
rec {
  inherit system lib;

  # runCommand NAME ENV SCRIPT: SCRIPT runs under /bin/sh -e with $out set.
  runCommand =
    name: env: script:
    derivation (
      {
        inherit name system;
        builder = hostTools.sh;
        args = [
          "-e"
          "-c"
          script
        ];
        PATH = "${hostTools.coreutils}:/usr/bin";
        preferLocalBuild = true;
        allowSubstitutes = false;
      }
      // env
    );

  # The text goes through a file (passAsFile), so it arrives byte for byte.
  writeText =
    name: text:
    runCommand name {
      inherit text;
      passAsFile = [ "text" ];
    } ''cp "$textPath" "$out"'';

  writeScript =
    name: text:
    runCommand name {
      inherit text;
      passAsFile = [ "text" ];
    } ''cp "$textPath" "$out"; chmod +x "$out"'';

  writeShellScript = name: text: writeScript name "#!${hostTools.sh}\n${text}";
}
