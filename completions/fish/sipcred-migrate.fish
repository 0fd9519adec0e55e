# fish completion for sipcred-migrate(1)

# SOURCE or DEST is still to be typed: fewer than two arguments so far that are
# neither options nor option values.
function __sipcred_migrate_needs_store
    set -l words (commandline -opc)
    set -e words[1]
    set -l value 0 # the next word is the value of an option
    set -l stores 0
    for word in $words
        if test $value -eq 1
            set value 0
            continue
        end
        switch $word
            case --schema --source-schema --dest-schema --on-conflict --realm -a --algorithm
                set value 1
            case '-*'
            case '*'
                set stores (math $stores + 1)
        end
    end
    test $stores -lt 2
end

# One of the options named is on the command line.
function __sipcred_migrate_seen
    set -l words (commandline -opc)
    for word in $words[2..-1]
        contains -- $word $argv; and return 0
    end
    return 1
end

# A store locator: a userdb path, a file-format prefix and its path, or a
# database locator (whose connection string is free text).
function __sipcred_migrate_stores
    set -l token (commandline -ct)
    set -l prefix (string match -r -- '^(?:htdigest:|pjsip:|csv:|jsonl:|freeswitch:|sqlite3?://db=)' $token)
    if set -q prefix[1]
        for path in (__fish_complete_path (string sub -s (math (string length -- $prefix) + 1) -- $token))
            printf '%s%s\n' $prefix $path
        end
        return
    end
    string match -qr -- '^[a-z]+://' $token; and return
    printf '%s\t%s\n' \
        htdigest: 'Apache htdigest file (written new)' \
        pjsip: 'Asterisk pjsip.conf auth sections (written new)' \
        csv: 'CSV list of clear-text passwords (written new)' \
        jsonl: 'JSON lines list of clear-text passwords (written new)' \
        freeswitch: 'FreeSWITCH directory XML: a directory of user files, or one file' \
        sqlite3://db= 'SQLite database file' \
        postgresql:// 'PostgreSQL: dbname=D host=H port=P user=U ...' \
        mysql:// 'MySQL or MariaDB: db=D host=H port=P user=U ...'
    __fish_complete_path $token 'Userdb file'
end

complete -c sipcred-migrate -f

# SOURCE, then DEST.
complete -c sipcred-migrate -n __sipcred_migrate_needs_store -a '(__sipcred_migrate_stores)'

# Schemas.
set -l __sipcred_migrate_schemas 'flexisip\t"Flexisip accounts and passwords (default)"
flexiapi\t"Flexisip Account Manager spaces, accounts and passwords"
kamailio\t"Kamailio auth_db subscriber, version 7"
opensips\t"OpenSIPS subscriber, version 8"
asterisk\t"Asterisk PJSIP realtime ps_auths"'
complete -c sipcred-migrate -l schema -x -d 'SQL schema of both sides' -a $__sipcred_migrate_schemas
complete -c sipcred-migrate -l source-schema -x -d 'SQL schema of SOURCE' -a $__sipcred_migrate_schemas
complete -c sipcred-migrate -l dest-schema -x -d 'SQL schema of DEST' -a $__sipcred_migrate_schemas
complete -c sipcred-migrate -l create-schema -d "Create DEST's missing tables (and an SQLite file)"

# Conversion.
complete -c sipcred-migrate -l on-conflict -x -d 'An account DEST has already' -a 'fail\t"Write nothing (default)"
skip\t"Leave it as it is"
replace\t"Overwrite it"'
complete -c sipcred-migrate -l realm -x -d "Realm of the stored hashes (default: each domain)"
complete -c sipcred-migrate -s a -l algorithm -x -d "Hash of Kamailio's ha1/ha1b columns" -a 'MD5\t"Default"
SHA-256
SHA-512-256'
complete -c sipcred-migrate -l skip-unconvertible -d 'Write the others when some cannot be converted'

# Runs and reports.
complete -c sipcred-migrate -n 'not __sipcred_migrate_seen --verify' -l dry-run -d 'Roll everything back at the end'
complete -c sipcred-migrate -n 'not __sipcred_migrate_seen --dry-run' -l verify -d 'Read every written account back as the server does'
complete -c sipcred-migrate -l json -d 'Print the report as JSON on stdout'
complete -c sipcred-migrate -l no-config -d 'Print no server configuration for DEST'
complete -c sipcred-migrate -l list-stores -d 'Print the kinds of store it opens'
complete -c sipcred-migrate -s q -l quiet -d 'Print only errors'
complete -c sipcred-migrate -s h -l help -d 'Print a usage summary'
complete -c sipcred-migrate -l version -d 'Print the version'
