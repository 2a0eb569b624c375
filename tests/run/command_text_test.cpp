// What the shell is given for a script's command: $PPID set to pktdrill's pid, and files that git
// checked out in place of symbolic links replaced by their targets (and nothing else replaced).

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "src/run/command.hpp"

namespace fs = std::filesystem;
using pktdrill::run::shell_command_text;

namespace {

struct Dir {
    fs::path path;
    Dir() {
        char name[] = "/tmp/pktdrill-cmdtext-XXXXXX";
        path = ::mkdtemp(name);
        fs::create_directories(path / "common");
        fs::create_directories(path / "tcp/common");
        fs::create_directories(path / "tcp/x");
        std::ofstream(path / "common/defaults.sh") << "#!/bin/sh\necho real\n";
        fs::permissions(path / "common/defaults.sh", fs::perms::owner_all);
        // What git writes for a symlink when it cannot make one.
        std::ofstream(path / "tcp/common/defaults.sh") << "../../common/defaults.sh";
        fs::permissions(path / "tcp/common/defaults.sh", fs::perms::owner_read | fs::perms::owner_write);
    }
    ~Dir() { fs::remove_all(path); }
};

std::string without_ppid(std::string const& text) {
    auto const end = text.find("; ");
    return text.rfind("PPID=", 0) == 0 && end != std::string::npos ? text.substr(end + 2) : text;
}

}  // namespace

TEST_CASE("the shell's $PPID is set to pktdrill's pid", "[command]") {
    if (fs::canonical("/bin/sh").filename() != "dash") {
        WARN("skipped: /bin/sh is not dash, whose $PPID can be set");
        return;
    }
    CHECK(shell_command_text("true") == "PPID=" + std::to_string(::getpid()) + "; true");
}

TEST_CASE("a file git checked out in place of a symlink runs its target", "[command]") {
    Dir d;
    fs::path const old = fs::current_path();
    fs::current_path(d.path / "tcp/x");
    auto const text = without_ppid(shell_command_text("../common/defaults.sh\n ../common/other.py a=b"));
    fs::current_path(old);
    CHECK(text == "../../common/defaults.sh\n ../common/other.py a=b");
}

TEST_CASE("ordinary files, quoted words and files holding no path are left alone", "[command]") {
    Dir d;
    std::ofstream(d.path / "zeros", std::ios::binary).write("\0\0\0\0\0", 5);
    std::ofstream(d.path / "words") << "hello world";
    fs::path const old = fs::current_path();
    fs::current_path(d.path);
    CHECK(without_ppid(shell_command_text("/bin/rm -f ./zeros")) == "/bin/rm -f ./zeros");
    CHECK(without_ppid(shell_command_text("cat ./words")) == "cat ./words");
    CHECK(without_ppid(shell_command_text("cat 'tcp/common/defaults.sh'")) == "cat 'tcp/common/defaults.sh'");
    CHECK(without_ppid(shell_command_text("./common/defaults.sh")) == "./common/defaults.sh");  // executable: real
    fs::current_path(old);
}
