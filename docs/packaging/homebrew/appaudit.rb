# Homebrew formula: builds appaudit from source. See docs/packaging/README.md for the
# FILL_AT_RELEASE_* placeholders a maintainer replaces (source tarball URL and SHA-256).
class Appaudit < Formula
  desc "Find apps covered by laws, orders and contract clauses on devices"
  homepage "https://github.com/appaudit/appaudit"
  url "FILL_AT_RELEASE_SOURCE_TARBALL_URL"
  sha256 "FILL_AT_RELEASE_SOURCE_TARBALL_SHA256"
  license any_of: ["MIT", "Apache-2.0"]
  head "https://github.com/appaudit/appaudit.git", branch: "main"

  depends_on "rust" => :build

  def install
    system "cargo", "install", *std_cargo_args
    generate_completions_from_executable(bin/"appaudit", "completions")
    system bin/"appaudit", "man", "--out", buildpath/"man"
    man1.install Dir[buildpath/"man/*.1"]
  end

  test do
    assert_match "appaudit #{version} (rules reviewed", shell_output("#{bin}/appaudit --version")
    (testpath/"phone.txt").write "package:com.zhiliaoapp.musically\n"
    # Exit code 1: a covered app was found.
    assert_match "TikTok", shell_output("#{bin}/appaudit scan #{testpath}/phone.txt", 1)
  end
end
