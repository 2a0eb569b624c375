#include "child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace pktdrill::test {

namespace fs = std::filesystem;

Child::Child(std::vector<std::string> const& argv, fs::path const& directory) {
    char name[] = "/tmp/pktdrill-child-XXXXXX";
    int const fd = ::mkstemp(name);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    log_ = name;
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        int const null = ::open("/dev/null", O_RDONLY);
        if (null >= 0) ::dup2(null, 0);
        if (!directory.empty() && ::chdir(directory.c_str()) != 0) ::_exit(126);
        std::vector<char*> args;
        for (auto const& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(fd);
}

Child::~Child() {
    if (!status_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
    }
    std::error_code ec;
    fs::remove(log_, ec);
}

void Child::signal(int sig) const { ::kill(pid_, sig); }

std::optional<int> Child::wait_for(std::chrono::milliseconds limit) {
    auto const deadline = std::chrono::steady_clock::now() + limit;
    while (!status_) {
        int st = 0;
        pid_t const r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status_;
}

bool Child::running() { return !wait_for(std::chrono::milliseconds(0)); }

std::string Child::output() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

TempDir::TempDir() {
    char name[] = "/tmp/pktdrill-test-XXXXXX";
    if (!::mkdtemp(name)) throw std::runtime_error("mkdtemp failed");
    path_ = name;
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

fs::path TempDir::write(std::string const& name, std::string const& text) const {
    fs::path const p = path_ / name;
    std::ofstream(p) << text;
    return p;
}

std::string shell(std::string const& command) {
    std::string out;
    FILE* f = ::popen(command.c_str(), "r");
    if (!f) return out;
    std::array<char, 4096> buf;
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), f)) out.append(buf.data(), n);
    ::pclose(f);
    return out;
}

std::string pktdrill_binary() { return PKTDRILL_BINARY; }
fs::path source_dir() { return PKTDRILL_SOURCE_DIR; }

std::vector<pid_t> processes_with(std::string const& marker) {
    std::vector<pid_t> out;
    for (auto const& entry : fs::directory_iterator("/proc")) {
        std::string const name = entry.path().filename();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        pid_t const pid = std::stoi(name);
        if (pid == ::getpid()) continue;
        std::ifstream in(entry.path() / "cmdline");
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (char& c : cmdline)
            if (c == '\0') c = ' ';
        if (cmdline.find(marker) != std::string::npos) out.push_back(pid);
    }
    return out;
}

}  // namespace pktdrill::test
