{
  description = "nixtide: an IDE for writing and debugging NixOS VM tests";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: {
        nixtide = pkgs.callPackage ./packaging/nix/package.nix { };
        default = self.packages.${pkgs.stdenv.hostPlatform.system}.nixtide;
      });

      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = pkgs.lib.getExe self.packages.${pkgs.stdenv.hostPlatform.system}.nixtide;
        };
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          inputsFrom = [ self.packages.${pkgs.stdenv.hostPlatform.system}.nixtide ];
          packages = with pkgs; [
            clang-tools
            gdb
            qemu
            vde2
            netpbm
            tesseract
          ];
        };
      });

      checks = forAllSystems (pkgs: {
        # The package itself, and its unit suites (no QEMU, no nix needed).
        package = self.packages.${pkgs.stdenv.hostPlatform.system}.nixtide;
        unit-tests = pkgs.callPackage ./packaging/nix/package.nix { doCheck = true; };
      });

      formatter = forAllSystems (pkgs: pkgs.nixfmt-rfc-style);
    };
}
