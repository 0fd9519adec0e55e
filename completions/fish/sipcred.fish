# fish completion for sipcred(1)

# Installed tools (sipcred-* commands on PATH), with a description each.
function __sipcred_tools
    set -l names
    for file in $PATH/sipcred-*
        test -x $file; and set -a names (string replace -r '.*/sipcred-' '' -- $file)
    end
    set -q names[1]; or return
    for tool in (printf '%s\n' $names | sort -u)
        set -l descr 'sipcred tool'
        switch $tool
            case user
                set descr 'Manage the users of a Flexisip userdb file'
            case hash
                set descr 'Print A1 hashes of a password'
            case convert
                set descr 'Replace clear-text passwords with hashes'
            case migrate
                set descr 'Move users between files and SQL databases'
            case lint
                set descr 'Check an authentication configuration'
            case sim
                set descr 'Rehearse a digest challenge and response'
        end
        printf '%s\t%s\n' $tool $descr
    end
end

# "sipcred" alone so far: a tool name is expected.
function __sipcred_needs_tool
    test (count (commandline -opc)) -eq 1
end

# "sipcred help": a tool name is expected.
function __sipcred_needs_help_topic
    set -l words (commandline -opc)
    test (count $words) -eq 2; and test "$words[2]" = help
end

# "sipcred TOOL ...": the arguments belong to sipcred-TOOL.
function __sipcred_in_tool
    set -l words (commandline -opc)
    set -q words[2]; and not contains -- $words[2] help --help --version
end

# Complete "sipcred TOOL ARGS" as "sipcred-TOOL ARGS".
function __sipcred_delegate
    set -l words (commandline -opc)
    set words[2] sipcred-$words[2]
    complete -C (string join ' ' -- (string escape -- $words[2..-1]) (commandline -ct))
end

complete -c sipcred -f
complete -c sipcred -n __sipcred_needs_tool -l help -d 'List the installed tools'
complete -c sipcred -n __sipcred_needs_tool -l version -d 'Print the version'
complete -c sipcred -n __sipcred_needs_tool -a '(__sipcred_tools)'
complete -c sipcred -n __sipcred_needs_tool -a help -d 'Show the help of a tool'
complete -c sipcred -n __sipcred_needs_help_topic -a '(__sipcred_tools)'
complete -c sipcred -n __sipcred_in_tool -a '(__sipcred_delegate)'
