#pragma once
// A child process for tests that must act while it runs (look at its sockets, send it a signal):
// its output goes to a file read at any time, and the destructor kills and reaps it.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pktdrill::test {

class Child {
public:
    explicit Child(std::vector<std::string> const& argv, std::filesystem::path const& directory = {});
    Child(Child const&) = delete;
    Child& operator=(Child const&) = delete;
    ~Child();

    pid_t pid() const noexcept { return pid_; }
    void signal(int sig) const;
    // The exit status (128 + signal when a signal ended it) once it has ended, waiting at most
    // `limit`; nothing if it is still running then.
    std::optional<int> wait_for(std::chrono::milliseconds limit);
    bool running();
    // Everything it printed so far (standard output and error together).
    std::string output() const;

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
    std::filesystem::path log_;
};

// A fresh temporary directory, removed by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    std::filesystem::path const& path() const noexcept { return path_; }
    std::filesystem::path write(std::string const& name, std::string const& text) const;

private:
    std::filesystem::path path_;
};

// Runs a shell command in this process's network namespace and returns its standard output.
std::string shell(std::string const& command);

// The pktdrill binary under test, and the project's source folder.
std::string pktdrill_binary();
std::filesystem::path source_dir();

// Processes (other than this one) whose command line contains `marker`.
std::vector<pid_t> processes_with(std::string const& marker);

}  // namespace pktdrill::test
