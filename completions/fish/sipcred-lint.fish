# fish completion for sipcred-lint(1)

# The rule codes, asked from sipcred-lint itself (its SARIF output lists them
# all), so that completion never lags behind the tool.
# --config-file /dev/null: a project file where the shell is does not matter.
function __sipcred_lint_codes
    sipcred-lint --pjsip /dev/null --config-file /dev/null --format sarif 2>/dev/null | string replace -rf '^ *"id": "(SC[0-9]+)",$' '$1'
end

complete -c sipcred-lint -F
complete -c sipcred-lint -l userdb -r -F -d 'Check a Flexisip userdb'
complete -c sipcred-lint -l pjsip -r -F -d 'Check an Asterisk pjsip.conf'
complete -c sipcred-lint -l format -x -a 'text json sarif gitlab github junit' -d 'Output format'
complete -c sipcred-lint -l disable -x -a '(__sipcred_lint_codes)' -d 'Do not report these rules'
complete -c sipcred-lint -l enable -x -a '(__sipcred_lint_codes)' -d 'Report these rules (off by default)'
complete -c sipcred-lint -l config-file -r -F -d 'Project file (default ./.sipcred-lint)'
complete -c sipcred-lint -l baseline -r -F -d 'Report only findings not in this baseline'
complete -c sipcred-lint -l write-baseline -r -F -d 'Record the findings in a baseline'
complete -c sipcred-lint -l json -d 'The same as --format json'
complete -c sipcred-lint -l audit -r -F -d "Audit a store's credentials"
complete -c sipcred-lint -l wordlist -r -F -d 'Word list to try on every account'
complete -c sipcred-lint -l min-length -x -d 'Minimum clear-text password length'
complete -c sipcred-lint -l show-passwords -d 'Name the weak passwords found'
complete -c sipcred-lint -l schema -x -a 'flexisip flexiapi kamailio opensips asterisk' -d 'SQL schema of the audited store'
complete -c sipcred-lint -l realm -x -d "Realm of the store's hashes"
complete -c sipcred-lint -l threads -x -d 'Hashing threads'
complete -c sipcred-lint -l db-password-stdin -d 'Read the database password from standard input'
complete -c sipcred-lint -l werror -d 'Exit 1 on warnings too'
complete -c sipcred-lint -l explain -x -a '(__sipcred_lint_codes)' -d 'Explain a rule code'
complete -c sipcred-lint -s q -l quiet -d 'Text output: errors only'
complete -c sipcred-lint -s h -l help -d 'Print a usage summary'
complete -c sipcred-lint -l version -d 'Print the version'
